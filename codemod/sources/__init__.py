"""Everything analysis reads: disk, or unsaved editor buffers over disk."""
