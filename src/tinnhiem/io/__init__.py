"""Every file format lives here: readers, writers, PDF. The core never touches a file."""
