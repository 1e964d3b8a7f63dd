"""Batches: every answers file of a folder scored and given its own report, in this process, a pool of processes or on
a Dask cluster, with a manifest that keeps outputs up to date (run). It may import report and every package below
it, never cli: the command parses the options and a batch receives plain values.
"""
