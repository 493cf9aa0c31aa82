"""The numba core: MEME-exact FIMO and TOMTOM, tangermeme-identical seqlets.

Arrays in, tables out, no knowledge of the store.  Kernels (``*_kernels.py``, numba) are kept
apart from their Python wrappers.
"""
