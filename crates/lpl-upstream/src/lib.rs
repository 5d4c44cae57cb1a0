//! Map patches to upstream commits and first release tags in a local git repository.
