-- Event streams read jobs changed since a point: (updated_at, id) is their order.
CREATE INDEX jobs_updated ON jobs (updated_at, id);
