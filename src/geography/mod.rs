//! Geometry on the Earth, pure: points and great-circle distances, Albania's municipality
//! boundaries with a point-in-polygon index, and the areas a search can be limited to.
//! Named `geography` so that `geo` always means the geometry crate.

mod area;
mod boundaries;
mod point;
mod shapes;

pub use area::{Area, Bounds, Verdict};
pub use boundaries::{Boundaries, SNAP_KM, boundaries};
pub use point::{
    DistanceFrom, EARTH_RADIUS_KM, GeoPoint, PACKING_ERROR_KM, haversine_km, pack, to_point, unpack,
};
pub use shapes::{Detail, unit_geometry};
