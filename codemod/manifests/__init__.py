"""package.json, lockfiles, build files, header copies: read versions, plan the pin."""
