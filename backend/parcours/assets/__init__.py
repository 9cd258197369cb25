"""The asset library: images uploaded once, served publicly, reused by emails and pages."""
