from yizhou.settings import ServiceSettings, own_url_field


class Settings(ServiceSettings):
    service_name = "org-registry"
    own_database_url: str | None = own_url_field("ORG_REGISTRY_DATABASE_URL")
