"""The access review: submissions and decisions, who may use it, its evidence."""
