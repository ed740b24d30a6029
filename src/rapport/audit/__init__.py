"""The audit trail: who opened or changed which client's data, when and from where."""
