"""``reviewer eval``: score the reviewer against cases with known findings.

One job per module: ``cases`` reads the case directories, ``matching`` pairs reported findings
with expected ones, ``metrics`` turns the pairs into precision/recall, ``report`` renders them.
"""
