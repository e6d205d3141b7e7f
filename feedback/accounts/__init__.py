"""Staff accounts: sign-in, sign-out, roles scoped to agency subtrees."""
