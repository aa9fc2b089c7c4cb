mod conn;
