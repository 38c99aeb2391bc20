"""The pages around the domain: home, site map, accounts, personal data, history pages."""
