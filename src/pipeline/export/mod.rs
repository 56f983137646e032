pub mod charts;
pub mod fonts;
pub mod pca;
