"""terrapole: one catalog, portal and set of services over Earth-system data centres."""

__version__ = "0.1.0"
