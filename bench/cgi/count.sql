SELECT count(*) FROM winkhook.deliveries;
