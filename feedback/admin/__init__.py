"""The platform administrator's pages: the agency tree and each agency's own networks
(/admin/agencies), staff accounts and their roles (/admin/users). A feature above accounts and
agencies, so the lower layers keep no views that need the authorization helper. (The API keys'
page stays with the API, whose keys it manages.)"""
