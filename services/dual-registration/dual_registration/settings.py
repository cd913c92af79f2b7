from yizhou.settings import ServiceSettings, own_url_field


class Settings(ServiceSettings):
    service_name = "dual-registration"
    own_database_url: str | None = own_url_field("DUAL_REGISTRATION_DATABASE_URL")
