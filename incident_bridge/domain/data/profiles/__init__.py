"""The shipped regulation profiles, one TOML file each."""
