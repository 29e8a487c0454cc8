"""Sources know one channel each and yield model records; none of them knows SQLite."""
