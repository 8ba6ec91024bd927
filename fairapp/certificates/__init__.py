"""Certificates: templates, issuing with signed QR codes and stored hashes, batches, kiosk, verification."""
