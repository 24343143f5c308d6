// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title TestToken
 * @notice Mintable ERC-20 for local development and tests. Anyone can mint: never deploy it where
 * its balances are meant to be worth something.
 */
contract TestToken is ERC20 {
    uint8 private immutable _decimals;

    /// @param name_ token name, e.g. "Test USD"
    /// @param symbol_ token symbol, e.g. "tUSD"
    /// @param decimals_ number of decimals, e.g. 6
    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
    }

    /// @notice Mints `amount` tokens to `to`; open to anyone.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }
}
