-- The kind of place an incident happened at (street, residence, shop, ...),
-- as the source names it: forecasting uses the mix of kinds per cell.
ALTER TABLE incidents ADD COLUMN place_type TEXT;
