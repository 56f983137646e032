-- custseg segment rules: a threshold tree with one leaf per segment (IMM),
-- fitted to the K-Means segments. The rules put 83.3% of the customers in
-- their K-Means segment; their partition's SSE is 1.11 times K-Means'.
-- Reads one row per customer with the features in original units, as in
-- segmentation_results.csv; replace the table name with yours.
--   segment 0 (VIP): Recency ≥ 130 days and Age ≥ 31
--   segment 1 (Active Transaction Customers): Age < 31
--   segment 2 (High-Value Customers (VIP)): Recency < 130 days and Age ≥ 31
SELECT *,
  CASE
    WHEN "Age" < 31 THEN 1
    WHEN "Age" >= 31 AND "Recency" < 130 THEN 2
    WHEN "Age" >= 31 AND "Recency" >= 130 THEN 0
  END AS rule_segment
FROM segmentation_results;
