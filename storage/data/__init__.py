"""Vendored data files and hand-written demo content, loaded through importlib.resources."""
