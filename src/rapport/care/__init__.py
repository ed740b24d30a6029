"""Clinical records: clients, their episodes of care and the sessions within them."""
