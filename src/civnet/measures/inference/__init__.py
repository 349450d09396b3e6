"""Inference between tie layers: QAP/MRQAP (:mod:`.qap`), PPML gravity (:mod:`.gravity`),
country-year panels with FE Poisson and break tests (:mod:`.panel`), and tie-formation
simulation (:mod:`.simulate`). Layers become matrices and tables in :mod:`.dyads`."""
