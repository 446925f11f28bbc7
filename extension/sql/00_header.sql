-- tsetp: install script, assembled from extension/sql/*.sql in name order.
\echo Use "CREATE EXTENSION tsetp" to load this file. \quit

