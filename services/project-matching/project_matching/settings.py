from yizhou.settings import ServiceSettings, own_url_field


class Settings(ServiceSettings):
    service_name = "project-matching"
    own_database_url: str | None = own_url_field("PROJECT_MATCHING_DATABASE_URL")
