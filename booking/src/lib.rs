//! The seed's hotel-room booking service, rift's built-in system under test.
