from codemod.cli import run

run()
