"""What every feature uses: time and Thai formatting, collation, geography, audit, mail, access, forms."""
