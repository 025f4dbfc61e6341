"""Review cycles: the current one and its deadline, recording a review, the retraining plan,
and the HR pages for them."""
