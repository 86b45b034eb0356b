"""The repositories fixtures.py builds and fetch.sh clones hold their own tests: not ours to run."""

collect_ignore_glob = ["fixtures/*", ".cache/*"]
