-- Files of the stored attribution tracks (relative to the store folder).
SELECT file FROM attributions;
