"""The Trust's people: the rules for adding and changing them, the staff import, leavers,
and their personal data."""
