"""The public exhibitor directory of a fair (issue 16): every confirmed exhibitor (an approved application
with a booth) with its booth, sector, province and activities (โชว์ / แชร์ / ช่วย / เชื่อม), searched the
Thai way and filtered; each exhibitor's page with its booth on the plan; the A5 booth signs (fair staff)
whose QR leads to that page. Visitors need no account. Photos only with the `public_pages` consent of the
person who made the application; the booth's people are never named here.
"""
