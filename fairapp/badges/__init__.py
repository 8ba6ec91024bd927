"""Certificates as Open Badges 3.0 verifiable credentials (issue 17): the credential of a certificate
(credential.py), its eddsa-rdfc-2022 proof (proof.py), the published keys (keys.py), revocation as a
Bitstring Status List per fair (status.py), checking an uploaded credential (checking.py) and the public
routes (views.py)."""
