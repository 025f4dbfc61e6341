"""Names of the load test's request kinds that its report treats apart (locustfile.py names
requests with them; school_day.py leaves sign-in out of one percentile)."""

# The sign-in POST: its argon2 hash takes most of a core for tens of milliseconds.
SIGN_IN = "sign in"
