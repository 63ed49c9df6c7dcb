"""Data files of the domain: the production calendar and the regulation profiles."""
