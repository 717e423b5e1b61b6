"""Access control: accounts, credentials (passwords, personal tokens, OIDC, sessions), access
policies, licences, access requests with grants and quotas, and the audit log of data reads.

The decision itself is pure and lives in `core.access`; this package keeps the facts it needs
(`store`), resolves who is asking (`web`, `oidc`), applies decisions to the catalog (`gate`) and
serves the HTTP routes (`auth_routes`, `admin_routes`, `user_routes`, `data_routes`) and the
command-line sub-commands (`cli`).
"""
