-- The warehouse's schemas: core (accepted data), dq (what was received and what was wrong), analytics (for analysts).
create schema if not exists core;
create schema if not exists dq;
create schema if not exists analytics;
