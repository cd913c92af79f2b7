from yizhou.settings import ServiceSettings, own_url_field


class Settings(ServiceSettings):
    service_name = "demand-intake"
    own_database_url: str | None = own_url_field("DEMAND_INTAKE_DATABASE_URL")
