//! K-Means kernel, K sweep, quality metrics and the choice of K.
