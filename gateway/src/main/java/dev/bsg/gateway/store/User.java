package dev.bsg.gateway.store;

public record User(String id, String email, String name, boolean disabled, long createdAt, String team) {}
