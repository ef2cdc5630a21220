drop table if exists platform.sagas;
