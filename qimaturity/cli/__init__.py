"""The qimaturity command (main), its terminal views (display) and user text made safe to print (terminal): a thin
shell over the Python API. The only package that imports click or rich; it may import every other package.
"""
