"""The access-control matrix's expected answers: one module per part of the site, each with its ``CASES``."""
