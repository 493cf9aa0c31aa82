"""Drop-in equivalents of the peers' functions and output shapes (tangermeme, memelite)."""
