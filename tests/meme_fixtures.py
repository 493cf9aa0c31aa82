"""The motif files of MEME's TOMTOM worked example (meme-reference §2.7), shared by the TOMTOM tests."""

QUERY_MEME = """MEME version 4

ALPHABET= ACGT

strands: + -

Background letter frequencies
A 0.3 C 0.2 G 0.2 T 0.3

MOTIF Q1 qone
letter-probability matrix: alength= 4 w= 4 nsites= 20 E= 0
0.9 0 0.1 0
0 1 0 0
0.1 0 0.8 0.1
0 0 0 1
"""

TARGET_MEME = """MEME version 4

ALPHABET= ACGT

strands: + -

MOTIF TA ta
letter-probability matrix: alength= 4 w= 5 nsites= 10 E= 0
0.25 0.25 0.25 0.25
1 0 0 0
0 0.9 0.1 0
0 0 1 0
0 0.1 0 0.9

MOTIF TB tb
letter-probability matrix: alength= 4 w= 3 nsites= 10 E= 0
0 0 0 1
0 0 1 0
0.5 0.5 0 0

MOTIF TC
letter-probability matrix: alength= 4 w= 4 nsites= 5 E= 0
0.7 0.1 0.1 0.1
0.1 0.1 0.1 0.7
0.1 0.7 0.1 0.1
0.1 0.1 0.7 0.1
"""


# two small motifs (uniform background) for CLI and bad-input tests
SMALL_MEME = """MEME version 4

ALPHABET= ACGT

strands: + -

Background letter frequencies
A 0.25 C 0.25 G 0.25 T 0.25

MOTIF M1 one
letter-probability matrix: alength= 4 w= 3 nsites= 20 E= 0
0.7 0.1 0.1 0.1
0.1 0.7 0.1 0.1
0.1 0.1 0.1 0.7

MOTIF M2
letter-probability matrix: alength= 4 w= 2 nsites= 20 E= 0
0.25 0.25 0.25 0.25
0.0 0.0 1.0 0.0
"""
