"""Test support shared by every adapter's tests: one config, one seeded app, platform-neutral scripts."""
