-- Two databases on one server: the gateway's and Rasa's trackers, each with its own owner.
CREATE USER rasa WITH PASSWORD 'rasa-change-me';
CREATE DATABASE rasa OWNER rasa;
